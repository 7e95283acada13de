#ifndef YIDAN_CCURL_SHIM_H
#define YIDAN_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt are variadic C
// functions, which Swift cannot call directly; these typed wrappers can be.
static inline CURLcode yidan_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode yidan_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode yidan_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode yidan_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode yidan_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*yidan_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode yidan_curl_easy_setopt_data_callback(CURL *handle, CURLoption option, yidan_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode yidan_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode yidan_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode yidan_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode yidan_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

// curl_global_init's flag macro is a compound expression Swift does not import.
static inline CURLcode yidan_curl_global_init_all(void) {
    return curl_global_init(CURL_GLOBAL_ALL);
}
// CURLMsg keeps the result in an anonymous union; read it here.
static inline int yidan_curl_msg_is_done(const CURLMsg *message) {
    return message->msg == CURLMSG_DONE;
}
static inline CURLcode yidan_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}
static inline CURLMcode yidan_curl_multi_poll(CURLM *multi, int timeout_ms) {
    return curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
}

#endif
