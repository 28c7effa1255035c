--machine=foo
examples/desktop-pc.xml
