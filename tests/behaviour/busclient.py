"""A client of hearthd's D-Bus API for behaviour tests.

Client is one connection to a test's private bus (dbustest.PrivateBus): it
calls methods (a D-Bus error raises DBusCallError carrying the error name),
reads properties and objects, and records every signal sent from under
/org/hearth/Hearth1 so a test can wait for InterfacesAdded and friends.
It never talks to the machine's system or session bus.
"""

import time

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = 'org.hearth.Hearth1'
ROOT = '/org/hearth/Hearth1'
MANAGER = 'org.hearth.Hearth1.Manager'
SERVER = 'org.hearth.Hearth1.Server'
ROUTE = 'org.hearth.Hearth1.Route'
LINK = 'org.hearth.Hearth1.Link'
OBJECT_MANAGER = 'org.freedesktop.DBus.ObjectManager'
PROPERTIES = 'org.freedesktop.DBus.Properties'

CONNECT_FLAGS = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                 Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)


def pump(seconds=0.0):
    """Dispatch what is pending on the default main context (where signal
    callbacks run), for at least `seconds`."""
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    while True:
        for _ in range(10000):
            if not ctx.iteration(False):
                break
        if time.monotonic() >= deadline:
            return
        time.sleep(0.01)


class Signal(tuple):
    """(path, interface, member, args) of a received signal."""
    path = property(lambda self: self[0])
    iface = property(lambda self: self[1])
    member = property(lambda self: self[2])
    args = property(lambda self: self[3])


class DBusCallError(Exception):
    def __init__(self, name, message):
        super().__init__('%s: %s' % (name, message))
        self.name = name
        self.message = message


class Client:
    """One connection to the private bus, recording every signal sent from
    under /org/hearth/Hearth1."""

    def __init__(self, address):
        self.conn = Gio.DBusConnection.new_for_address_sync(address, CONNECT_FLAGS, None, None)
        self.conn.set_exit_on_close(False)
        self.name = self.conn.get_unique_name()
        self.signals = []
        self.closed = False
        self._sub = self.conn.signal_subscribe(None, None, None, None, None,
                                               Gio.DBusSignalFlags.NONE, self._on_signal)
        # The bus handles our AddMatch before this reply, so no signal the
        # test causes from here on can be missed.
        self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                            'org.freedesktop.DBus', 'GetId', None, None,
                            Gio.DBusCallFlags.NONE, 5000, None)

    def _on_signal(self, conn, sender, path, iface, member, params):
        if path == ROOT or path.startswith(ROOT + '/'):
            self.signals.append(Signal((path, iface, member, params.unpack())))

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            self.conn.signal_unsubscribe(self._sub)
            self.conn.close_sync(None)
        except GLib.Error:
            pass            # the bus is already gone

    # ---- calls ------------------------------------------------------------

    def call(self, path, iface, method, sig=None, *args, timeout=10):
        """Call and return the unpacked reply tuple; a D-Bus error raises
        DBusCallError with the error name."""
        params = GLib.Variant(sig, tuple(args)) if sig else None
        try:
            ret = self.conn.call_sync(BUS_NAME, path, iface, method, params, None,
                                      Gio.DBusCallFlags.NONE, int(timeout * 1000), None)
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e) or ('GLib.Error:%s' % e.code)
            raise DBusCallError(name, e.message) from None
        return ret.unpack() if ret is not None else ()

    def mgr(self, method, sig=None, *args):
        ret = self.call(ROOT, MANAGER, method, sig, *args)
        return ret[0] if len(ret) == 1 else ret

    def add_server(self, address, port, domains=(), interface=''):
        return self.mgr('AddServer', '(sqsas)', address, port, interface, list(domains))

    def add_route(self, domain, action, servers=()):
        return self.mgr('AddRoute', '(ssas)', domain, action, list(servers))

    def set_servers(self, servers):
        return self.mgr('SetServers', '(a(sqsas))',
                        [(a, p, i, list(d)) for (a, p, i, d) in servers])

    def delete(self, path):
        iface = SERVER if '/server/' in path else ROUTE
        return self.call(path, iface, 'Delete')

    def get(self, path, iface, prop):
        return self.call(path, PROPERTIES, 'Get', '(ss)', iface, prop)[0]

    def get_all(self, path, iface):
        return self.call(path, PROPERTIES, 'GetAll', '(s)', iface)[0]

    def objects(self):
        """GetManagedObjects: {path: {interface: {property: value}}}."""
        return self.call(ROOT, OBJECT_MANAGER, 'GetManagedObjects')[0]

    def servers(self):
        return {p: i[SERVER] for p, i in self.objects().items() if SERVER in i}

    def routes(self):
        return {p: i[ROUTE] for p, i in self.objects().items() if ROUTE in i}

    def links(self):
        return {p: i[LINK] for p, i in self.objects().items() if LINK in i}

    def _bus_call(self, method, arg):
        ret = self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                  'org.freedesktop.DBus', method,
                                  GLib.Variant('(s)', (arg,)), None,
                                  Gio.DBusCallFlags.NONE, 5000, None)
        return ret.unpack()[0]

    def name_has_owner(self, name=BUS_NAME):
        return self._bus_call('NameHasOwner', name)

    def name_owner_pid(self, name=BUS_NAME):
        """The pid of the process owning name, or None."""
        try:
            owner = self._bus_call('GetNameOwner', name)
            return self._bus_call('GetConnectionUnixProcessID', owner)
        except GLib.Error as e:
            if Gio.DBusError.get_remote_error(e) == 'org.freedesktop.DBus.Error.NameHasNoOwner':
                return None
            raise

    # ---- signals ----------------------------------------------------------

    def wait_signal(self, pred, timeout=5.0):
        """The first recorded signal satisfying pred, waiting up to timeout;
        None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            pump()
            for s in self.signals:
                if pred(s):
                    return s
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)

    def wait_added(self, path, timeout=5.0):
        return self.wait_signal(lambda s: s.member == 'InterfacesAdded'
                                and s.iface == OBJECT_MANAGER and s.args[0] == path, timeout)

    def wait_removed(self, path, timeout=5.0):
        return self.wait_signal(lambda s: s.member == 'InterfacesRemoved'
                                and s.iface == OBJECT_MANAGER and s.args[0] == path, timeout)
