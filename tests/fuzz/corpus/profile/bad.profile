file relative
