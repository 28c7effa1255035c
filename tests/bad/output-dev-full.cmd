-o
/dev/full
examples/desktop-pc.xml
