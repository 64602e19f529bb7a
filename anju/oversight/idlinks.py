"""ID numbers written in a clue's free text (issue #9, personal data at rest).

Staff type a household head's ID into 关联档案 (`Clue.links`), sometimes into a summary; the
public writes one into a portal report. The stored text keeps only the masked form
(350881********123X, by `anju.sealed.IdMasking` on every write); before that, the services here
seal each full number into `ClueLink` with its blind index, so the clue is still found by ID
(ledger search, spot-check weighting, duplicate detection) and shown in full to a role that may
unmask (audited). Numbers from `links` follow edits of the links; numbers from any other text
(`source="text"`) stay with the clue once written, as the text they came from does.
"""

from anju.crypto import blind
from anju.identity import ids_in_text, mask_id, mask_ids_in
from anju.oversight.models import ClueLink, LinkSource


def _masks(number: str) -> set[str]:
    """How the number can appear masked in stored text: the 18-character form, and the old
    15-digit form it was converted from (masked at its own length)."""
    forms = {mask_id(number)}
    if number[6:8] == "19":
        forms.add(mask_id(number[:6] + number[8:17]))
    return forms


def keep_ids(clue, text: str, source: str = LinkSource.TEXT) -> str:
    """Seal the ID numbers in `text` as the clue's links from `source`; `text` masked."""
    numbers = ids_in_text(text)
    if numbers:
        known = set(
            ClueLink.objects.filter(clue=clue, source=source).values_list(
                "id_number_digest", flat=True
            )
        )
        ClueLink.objects.bulk_create(
            [
                ClueLink(clue=clue, source=source, id_number=n)
                for n in numbers
                if blind(n, "id") not in known
            ]
        )
    return mask_ids_in(text)


def set_links(clue, text: str) -> str:
    """The clue's 关联档案 is now `text` (as typed, or the masked text shown in the edit form with
    changes): numbers typed in full are sealed; sealed numbers whose masked form is no longer in
    the text are dropped. Returns the masked text to store."""
    masked = mask_ids_in(text)
    typed = {blind(n, "id") for n in ids_in_text(text)}
    for link in ClueLink.objects.filter(clue=clue, source=LinkSource.LINKS):
        if link.id_number_digest not in typed and not any(
            form in masked for form in _masks(link.id_number)
        ):
            link.delete()
    keep_ids(clue, text, LinkSource.LINKS)
    return masked


def copy_links(source_clue, into) -> None:
    """A duplicate merged into another clue: its numbers become the other clue's too."""
    for number in source_clue.id_links.values_list("id_number", flat=True):
        keep_ids(into, number)


def link_key(masked_links: str, digests) -> tuple[str, frozenset[str]] | None:
    """What duplicate detection compares for 'the same 关联档案': the masked text and the
    numbers behind it (two different IDs may share a mask)."""
    masked_links = (masked_links or "").strip()
    if not masked_links:
        return None
    return masked_links, frozenset(digests)


def typed_link_key(links: str):
    """`link_key` of links as typed (full numbers) for a clue not yet saved."""
    return link_key(mask_ids_in(links or ""), {blind(n, "id") for n in ids_in_text(links or "")})


def digests_of(number_text: str) -> list[str]:
    """Blind indexes of the ID numbers in a search query."""
    return [blind(n, "id") for n in ids_in_text(number_text)]
