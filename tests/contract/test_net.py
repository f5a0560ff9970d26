from contract.net import is_loopback


def test_loopback_addresses_and_the_name_localhost_are_this_machine():
    assert all(is_loopback(h) for h in ("localhost", "127.0.0.1", "127.8.9.10", "::1"))


def test_other_addresses_and_names_are_not():
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.1", "192.0.2.10", "::",
                                             "example.com", "localhost.example", "", None))
