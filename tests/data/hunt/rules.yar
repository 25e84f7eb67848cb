rule beacon_config : c2 {
  meta:
    level = "high"
  strings:
    $a = "beacon_interval="
  condition:
    $a
}
