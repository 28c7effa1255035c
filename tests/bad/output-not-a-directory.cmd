-o
tests/bad/empty.xml/out.xml
examples/minimal-pc.xml
