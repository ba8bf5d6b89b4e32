package io.cellrouter.router.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for SIGTERM or SIGINT. The signals are caught (rather than left to shutdown hooks) so that
 * the process can drain and then exit 0 (README "Operations": shutdown).
 *
 * <p>The JDK's only way to catch a signal is {@code sun.misc.Signal} (module jdk.unsupported, in
 * every OpenJDK). It is reached by reflection, as Kafka does, so that the build can treat every
 * compiler warning as an error: javac's warning for that API cannot be suppressed.
 */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    static void awaitTermination() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                handle(name, () -> {
                    LOG.info("received SIG{}: draining", name);
                    stop.countDown();
                });
            } catch (IllegalArgumentException e) {
                LOG.debug("cannot handle SIG{} here", name, e);
            }
        }
        stop.await();
    }

    /** {@code sun.misc.Signal.handle(new Signal(name), signal -> action.run())}. */
    private static void handle(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(
                    Signals.class.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                        if (method.getDeclaringClass() == Object.class) {
                            return objectMethod(proxy, method, args);
                        }
                        action.run();
                        return null;
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException unsupported) {
                throw unsupported; // a signal this platform does not have, or one the JVM keeps
            }
            throw new IllegalStateException("cannot handle SIG" + name, e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JVM cannot catch signals (no sun.misc.Signal)", e);
        }
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "SignalHandler[" + Signals.class.getName() + "]";
        };
    }
}
