"""The archive stage: for citations that rotted, the archived copy nearest the day they were cited."""
