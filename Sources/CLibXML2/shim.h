#ifndef YIDAN_CLIBXML2_SHIM_H
#define YIDAN_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU, so <libxml/encoding.h> would pull in the
// system ICU headers, which clash with the ICU copy inside Swift's Foundation.
// yidan never touches xmlCharEncodingHandler's fields (the only ICU-dependent
// layout, reached only through pointers), so the ICU include is switched off.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/c14n.h>
#include <libxml/xmlstring.h>
#include <libxml/globals.h>

// Swift cannot call through the `xmlFree` global function pointer under strict
// concurrency, nor read the per-thread error-handler macros, nor create a
// variadic C function: these small wrappers do it on Swift's behalf.

static inline void yidan_xml_free(void *pointer) {
    xmlFree(pointer);
}

/// A generic (printf-style) error handler that drops the message, so libxml2
/// never writes to stderr; errors reach Swift through the structured handler.
static inline void yidan_xml_silent_generic_error(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

/// The calling thread's error handlers, saved so a scoped handler can put them back.
typedef struct {
    xmlStructuredErrorFunc structured;
    void *structuredContext;
    void (*generic)(void); // really an xmlGenericErrorFunc (variadic, which Swift cannot import)
    void *genericContext;
} yidan_xml_error_handlers;

/// Routes the calling thread's libxml2 errors to `handler` and silences generic
/// errors; returns the previous handlers for `yidan_xml_restore_error_handlers`.
static inline yidan_xml_error_handlers yidan_xml_install_error_handlers(void *context, xmlStructuredErrorFunc handler) {
    yidan_xml_error_handlers saved;
    saved.structured = xmlStructuredError;
    saved.structuredContext = xmlStructuredErrorContext;
    saved.generic = (void (*)(void))xmlGenericError;
    saved.genericContext = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(context, handler);
    xmlSetGenericErrorFunc(NULL, yidan_xml_silent_generic_error);
    return saved;
}

static inline void yidan_xml_restore_error_handlers(yidan_xml_error_handlers saved) {
    xmlSetStructuredErrorFunc(saved.structuredContext, saved.structured);
    xmlSetGenericErrorFunc(saved.genericContext, (xmlGenericErrorFunc)saved.generic);
}

/// Silences generic errors on the calling thread.
static inline void yidan_xml_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(NULL, yidan_xml_silent_generic_error);
}

/// Silences generic errors by default on threads libxml2 has not seen yet.
static inline void yidan_xml_silence_generic_errors_by_default(void) {
    xmlThrDefSetGenericErrorFunc(NULL, yidan_xml_silent_generic_error);
}

#endif
