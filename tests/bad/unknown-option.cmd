--frobnicate
examples/desktop-pc.xml
