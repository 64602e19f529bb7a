"""What the workbench keeps of its own: the information items a person has marked as seen."""

from django.conf import settings
from django.db import models


class Seen(models.Model):
    """An information item (a returned change request, a quarterly report received) that its
    reader has marked "知道了": it leaves their list. Work items leave when the work is done."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="seen_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
