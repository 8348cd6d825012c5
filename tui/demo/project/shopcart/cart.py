"""A tiny shopping cart: line items, discounts and totals."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One line of the cart."""

    name: str
    unit_price: float
    quantity: int = 1

    @property
    def subtotal(self) -> float:
        """Price of this line before discounts."""
        return self.unit_price * self.quantity


def subtotal(items: list[Item]) -> float:
    """The sum of all line items before any discount."""
    return sum(item.subtotal for item in items)


def apply_discount(amount: float, percent: float) -> float:
    """The amount after taking `percent` percent off."""
    return amount * percent / 100


def describe(item: Item) -> str:
    """One receipt line, e.g. '2 x pen @ 1.50'."""
    return f"{item.quantity} x {item.name} @ {item.unit_price:.2f}"


def receipt(items: list[Item]) -> str:
    """A receipt listing every item."""
    return "\n".join(describe(item) for item in items)


def total(items: list[Item], discount_percent: float = 0.0) -> float:
    """What the customer pays, rounded to cents."""
    amount = apply_discount(subtotal(items), discount_percent)
    return round(amount, 2)
