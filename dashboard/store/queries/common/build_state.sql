SELECT history_pending_since FROM build_state;
