"""Commercial support: every rule about products, buyers, leads and activities.

Sections: products and photos; buyers and contacts; stages; leads; activities.
"""
