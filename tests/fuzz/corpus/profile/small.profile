file /a/**/b max-size=1G exclude=*.x fs=any
live n.txt timeout=1.5 -- sh -c "echo \"hi\""
