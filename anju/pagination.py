from django.core.paginator import Paginator

PER_PAGE = 50


def paginate(request, items, per_page: int = PER_PAGE):
    """The requested page of `items` (?page=N; out-of-range numbers give the nearest page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
