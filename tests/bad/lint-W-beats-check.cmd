--warnings-are-errors
--check
tests/bad/lint-legacy-nic-on-q35.xml
