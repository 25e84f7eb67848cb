rule broken {
  strings:
    $a = "x"
  condition:
    $b
}
