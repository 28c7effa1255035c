-o
/dev/null
tests/bad/lint-legacy-nic-on-q35.xml
