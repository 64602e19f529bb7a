"""ID numbers in free text at rest (issue #9): what staff or the public typed before this version.

1. Every ID-shaped number in a clue's 关联档案 (`links`), its summary, a merged duplicate's
   summary, a portal report or a reporter's addition is sealed into `ClueLink` (with its blind
   index), so the clue is still found by it.
2. Every free-text column where an ID may have been typed is rewritten with the numbers masked
   (the columns the models now declare as IdMaskedCharField / IdMaskedTextField).

Audit entries written before this version are not rewritten (the log is hash-chained and
append-only): a clue edit's entry may still hold the old links in clear. See docs/operations.md.
"""

from django.db import migrations

from anju.identity import ids_in_text, mask_ids_in

# (app, model, columns): every IdMasking field of this version (tests/test_encryption.py checks
# that the list matches the models).
MASKED = [
    ("oversight", "Clue", ["links", "summary", "rectification", "supervision_note"]),
    ("oversight", "ClueEvent", ["note"]),
    ("oversight", "ClueSource", ["summary"]),
    ("oversight", "Transfer", ["note", "report"]),
    ("oversight", "Sanction", ["note"]),
    ("oversight", "TypicalCase", ["text"]),
    ("oversight", "RectificationItem", ["description", "measure"]),
    ("portal", "PublicReport", ["description", "public_reply"]),
    ("portal", "ReportAddition", ["text"]),
    ("households", "FollowUpVisit", ["note"]),
    ("cadres", "Observation", ["note", "close_reason"]),
    ("spotchecks", "CheckResult", ["note"]),
]


def forward(apps, schema_editor):
    numbers: dict[tuple[int, str], dict[str, None]] = {}

    def note(clue_id, source, text):
        for number in ids_in_text(text or ""):
            numbers.setdefault((clue_id, source), {})[number] = None

    Clue = apps.get_model("oversight", "Clue")
    for pk, links, summary in Clue.objects.values_list("pk", "links", "summary").iterator():
        note(pk, "links", links)
        note(pk, "text", summary)
    sources = apps.get_model("oversight", "ClueSource").objects.values_list("clue_id", "summary")
    for clue_id, summary in sources.iterator():
        note(clue_id, "text", summary)
    reports = apps.get_model("portal", "PublicReport").objects.values_list("clue_id", "description")
    for clue_id, description in reports.iterator():
        note(clue_id, "text", description)
    additions = apps.get_model("portal", "ReportAddition").objects.values_list(
        "report__clue_id", "text"
    )
    for clue_id, text in additions.iterator():
        note(clue_id, "text", text)
    ClueLink = apps.get_model("oversight", "ClueLink")
    # The historical ClueLink has the sealed field types: id_number is sealed on the way in,
    # its digest and mask computed from it.
    ClueLink.objects.bulk_create(
        [
            ClueLink(clue_id=clue_id, source=source, id_number=number)
            for (clue_id, source), found in numbers.items()
            for number in found
        ],
        batch_size=1000,
    )
    for app, name, columns in MASKED:
        model = apps.get_model(app, name)
        rows = model._base_manager.order_by("pk").values_list("pk", *columns)
        for pk, *texts in rows.iterator(chunk_size=2000):
            changed = {
                column: mask_ids_in(text)
                for column, text in zip(columns, texts, strict=True)
                if text and mask_ids_in(text) != text
            }
            if changed:
                model._base_manager.filter(pk=pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0003_clue_links"),
        ("portal", "0002_portal_page"),
        ("households", "0010_seal_personal_data"),
        ("cadres", "0001_initial"),
        ("spotchecks", "0001_initial"),
    ]

    # No way back: the masked text is not unmasked again.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
