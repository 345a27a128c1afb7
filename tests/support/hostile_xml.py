"""XML bodies no callback may carry: entity bombs, outside entities, other encodings."""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><Content>&lol4;</Content></xml>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><Content>&secret;</Content></xml>"""
DTD_ONLY = b"""<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><A>1</A></xml>"""
# Documents no callback may carry: each is refused, and none is an error of the server's.
UNREADABLE_XML = {
    "xml bomb": BILLION_LAUGHS,
    "GBK": '<?xml version="1.0" encoding="GBK"?><xml><Content>客服</Content></xml>'.encode("gbk"),
    "Shift_JIS": '<?xml version="1.0" encoding="Shift_JIS"?><xml><A>は</A></xml>'.encode("sjis"),
    "bogus encoding": b'<?xml version="1.0" encoding="no-such-thing"?><xml><A>1</A></xml>',
    "a codec that is no text encoding": b'<?xml version="1.0" encoding="rot13"?><xml/>',
    "Latin-1": '<?xml version="1.0" encoding="ISO-8859-1"?><xml><A>é</A></xml>'.encode("latin-1"),
    "UTF-16 declared, UTF-8 sent": b'<?xml version="1.0" encoding="UTF-16"?><xml/>',
    "broken": b"<xml><Content>kf_msg_or_event",
}
