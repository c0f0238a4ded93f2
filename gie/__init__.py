"""The GIE back office: kernel and composition root.

`create_app` is looked up lazily, so that importing a kernel module (gie.db, say, from a
package's models) does not import the composition root and with it every package.
"""


def __getattr__(name: str):
    if name == "create_app":
        from gie.app import create_app

        return create_app
    raise AttributeError(name)
