--reserve=-1
examples/desktop-pc.xml
