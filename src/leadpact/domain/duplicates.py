"""Duplicate leads: the same email, or the same person (first and last name) at the same account. The later
lead (by creation) is the duplicate; the rep is offered `duplicate_or_customer` as the rejection reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SUGGESTED_REASON = "duplicate_or_customer"


@dataclass(frozen=True, slots=True)
class Person:
    lead_id: str
    created_at: datetime
    email: str | None
    account_id: str | None
    name: tuple[str, str] | None

    @classmethod
    def of(cls, lead_id: str, created_at: datetime, fields: Mapping[str, Any]) -> Person:
        email = fields.get("email")
        first, last = fields.get("first_name"), fields.get("last_name")
        name = (str(first).strip().casefold(), str(last).strip().casefold()) if first and last else None
        account = fields.get("account_id")
        return cls(
            lead_id,
            created_at,
            str(email).strip().casefold() if email else None,
            str(account) if account else None,
            name,
        )

    def same_person(self, other: Person) -> bool:
        if self.email and self.email == other.email:
            return True
        return bool(
            self.account_id and self.name and self.account_id == other.account_id and self.name == other.name
        )

    def before(self, other: Person) -> bool:
        return (self.created_at, self.lead_id) < (other.created_at, other.lead_id)


def duplicate_of(lead: Person, others: Iterable[Person]) -> str | None:
    """The earliest other lead this one duplicates, or None."""
    earlier = [o for o in others if o.lead_id != lead.lead_id and o.before(lead) and lead.same_person(o)]
    return min(earlier, key=lambda o: (o.created_at, o.lead_id)).lead_id if earlier else None


class PeopleIndex:
    """People by email and by (account, name), so finding a lead's duplicates does not scan everyone."""

    def __init__(self, people: Iterable[Person]) -> None:
        self._by: dict[tuple[str, ...], list[Person]] = {}
        for person in people:
            for key in self._keys(person):
                self._by.setdefault(key, []).append(person)

    @staticmethod
    def _keys(person: Person) -> list[tuple[str, ...]]:
        keys: list[tuple[str, ...]] = []
        if person.email:
            keys.append(("email", person.email))
        if person.account_id and person.name:
            keys.append(("person", person.account_id, *person.name))
        return keys

    def candidates(self, person: Person) -> list[Person]:
        return [other for key in self._keys(person) for other in self._by.get(key, ())]

    def duplicate_of(self, person: Person) -> str | None:
        return duplicate_of(person, self.candidates(person))


def duplicate_flag(original: str) -> str:
    return f"duplicate_of:{original}"
