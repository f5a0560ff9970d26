from contract.clock import FakeClock, SystemClock, utc_from


def test_fake_clock_moves_only_when_told():
    c = FakeClock(start=100.0)
    m = c.monotonic()
    assert c.now() == 100.0
    c.advance(2.5)
    c.sleep(1.5)
    assert c.now() == 104.0 and c.monotonic() == m + 4.0


def test_system_clock_and_utc():
    c = SystemClock()
    assert c.monotonic() <= c.monotonic()
    assert utc_from(0).isoformat() == "1970-01-01T00:00:00+00:00"
