--show=dot
examples/desktop-q35.xml
