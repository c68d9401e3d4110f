import pytest


@pytest.fixture(autouse=True)
def _forget_quiz_process_caches():
    """The bank pool and the person → unit cache live in the process; ids are
    reused between tests, so each test starts without them."""
    from dangjian.quiz import actions, draw

    draw.invalidate_pool()
    actions._unit_cache.clear()
    yield
