"""Lets pytest import shopcart from the project root on any pytest version."""
