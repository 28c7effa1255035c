--show=tree
examples/desktop-q35.xml
