-o
/nonexistent/out.xml
examples/desktop-pc.xml
