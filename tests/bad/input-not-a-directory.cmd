tests/bad/empty.xml/domain.xml
