def test_settling_the_heap_puts_what_start_up_built_out_of_the_collectors_sight() -> None:
    import gc

    from bot.app import settle_heap

    before = gc.get_freeze_count()
    try:
        settle_heap()
        assert gc.get_freeze_count() > before
    finally:
        # The rest of the test session collects as usual.
        gc.unfreeze()
