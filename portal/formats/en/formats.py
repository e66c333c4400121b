# Every date-and-time Django writes (the admin's lists and read-only fields) names its
# zone: times show in the reader's zone (portal.local_time), so an unlabelled clock
# would be ambiguous. Everything else is Django's English.
DATETIME_FORMAT = "N j, Y, P T"
SHORT_DATETIME_FORMAT = "m/d/Y P T"
