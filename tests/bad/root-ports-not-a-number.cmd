--root-ports=many
examples/desktop-pc.xml
