'use strict';
// Django's admin autocomplete (admin/js/autocomplete.js), except that the typed term is sent by
// POST with the page's CSRF token: a donor's name typed here must not land in an address (the
// portal's admin site answers the autocomplete by POST only; fundportal/admin_utils.py).
{
    const $ = django.jQuery;

    function csrfToken() {
        const field = document.querySelector('input[name=csrfmiddlewaretoken]');
        return field ? field.value : '';
    }

    $.fn.djangoAdminSelect2 = function() {
        $.each(this, function(i, element) {
            // Django's widget writes data-ajax--type="GET", which select2 prefers to the options below.
            element.setAttribute('data-ajax--type', 'POST');
            $(element).select2({
                ajax: {
                    type: 'POST',
                    headers: {'X-CSRFToken': csrfToken()},
                    data: (params) => {
                        return {
                            term: params.term,
                            page: params.page,
                            app_label: element.dataset.appLabel,
                            model_name: element.dataset.modelName,
                            field_name: element.dataset.fieldName
                        };
                    }
                }
            });
        });
        return this;
    };

    $(function() {
        // Initialize all autocomplete widgets except the one in the template
        // form used when a new formset is added.
        $('.admin-autocomplete').not('[name*=__prefix__]').djangoAdminSelect2();
    });

    document.addEventListener('formset:added', (event) => {
        $(event.target).find('.admin-autocomplete').djangoAdminSelect2();
    });
}
