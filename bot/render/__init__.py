"""Message text: HTML from catalog strings, every user-supplied value escaped."""
