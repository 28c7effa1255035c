-r
4x
examples/desktop-pc.xml
