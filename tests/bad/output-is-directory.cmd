-o
tests/bad
examples/minimal-pc.xml
