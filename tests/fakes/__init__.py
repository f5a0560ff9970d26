"""The fakes the tests share, one per interface they fake; tests/interfaces/ holds each to the
real part's interface and behaviour, so a fake cannot drift from what it stands for."""
