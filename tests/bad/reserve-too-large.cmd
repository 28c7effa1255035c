--reserve
219
examples/desktop-q35.xml
