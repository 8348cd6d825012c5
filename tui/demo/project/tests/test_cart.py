from shopcart.cart import Item, receipt, subtotal, total


def test_subtotal():
    assert subtotal([Item("pen", 1.5, 2), Item("pad", 3.0)]) == 6.0


def test_total_without_discount():
    assert total([Item("pen", 1.5, 2)]) == 3.0


def test_total_with_discount():
    assert total([Item("book", 20.0)], discount_percent=10) == 18.0


def test_total_rounds_to_cents():
    assert total([Item("apple", 0.35, 3)]) == 1.05


def test_receipt():
    assert receipt([Item("pen", 1.5, 2)]) == "2 x pen @ 1.50"
