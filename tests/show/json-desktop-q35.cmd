--show=json
examples/desktop-q35.xml
