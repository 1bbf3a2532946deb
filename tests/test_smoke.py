from sdgmap.store.queries import table_counts


def test_new_store_has_builtin_frameworks(store):
    with store.transaction() as s:
        counts = table_counts(s)
    assert counts["frameworks"] == 5
    assert counts["nodes"] > 600
