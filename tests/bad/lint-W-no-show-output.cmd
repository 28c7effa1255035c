-W
--show=tree
tests/bad/lint-legacy-nic-on-q35.xml
