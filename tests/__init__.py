"""hunkwise tests (a package, so test subpackages never shadow the real ones)."""
