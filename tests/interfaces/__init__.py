"""One contract suite per interface, run over the real part and over the tests' fake of it, so
a fake cannot drift from what it stands for (tests/fakes/)."""
