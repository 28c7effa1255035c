--check
examples/desktop-pc.xml
tests/bad/nosuch.xml
