--check
examples/desktop-pc.xml
