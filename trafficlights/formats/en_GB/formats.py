# The admin's own lists and read-only fields show moments as the rest of the
# site does (indicators/times.py): "1 March 2001, 09:30 GMT".
DATETIME_FORMAT = "j F Y, H:i T"
SHORT_DATETIME_FORMAT = "j F Y, H:i T"
