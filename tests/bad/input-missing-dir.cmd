tests/nosuch-dir/dom.xml
