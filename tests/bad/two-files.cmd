examples/desktop-pc.xml
examples/server-pc.xml
