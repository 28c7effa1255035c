examples/desktop-pc.xml
